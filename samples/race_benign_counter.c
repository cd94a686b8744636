/* race_benign_counter: a racy hint, intended, but not said so.
 *
 * Every worker() writes its number into `last_worker`, a hint the program
 * reads only after joining them all ("which worker finished last?") and
 * for which any of the values would do. The writes are unordered: a data
 * race, real, and racedet reports it; the program means it. Libraries say
 * so with AnnotateBenignRaceSized (ThreadSanitizer's dynamic annotation;
 * RACEDET_BENIGN_RACE in racedet.h), which the fixed twin makes: then
 * racedet reports nothing about those bytes.
 */
#include <pthread.h>
#include <stdio.h>

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

    for (long i = 0; i < 2; i++)
        pthread_create(&t[i], NULL, worker, (void *)(i + 1));
    for (int i = 0; i < 2; i++)
        pthread_join(t[i], NULL);
    printf("last worker: %d\n", last_worker);
    return 0;
}
