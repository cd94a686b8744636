/* sem_misuse_fixed: the correct twin of sem_misuse.c.
 *
 * The main thread waits for both of the worker's posts and joins it; only
 * then, when nobody can use the semaphore any more, it destroys it.
 */
#include <pthread.h>
#include <semaphore.h>
#include <stdio.h>

static sem_t ready;        /* the worker's signals: result ready, cleaned up */
static int result;

static void *worker(void *arg)
{
    (void)arg;
    result = 42;
    sem_post(&ready);               /* the result is ready */
    sem_post(&ready);               /* cleaned up */
    return NULL;
}

int main(void)
{
    pthread_t t;

    sem_init(&ready, 0, 0);
    pthread_create(&t, NULL, worker, NULL);
    sem_wait(&ready);
    printf("result %d\n", result);
    sem_wait(&ready);               /* the worker is done with it */
    pthread_join(t, NULL);
    sem_destroy(&ready);
    return 0;
}
