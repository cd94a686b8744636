/* sem_misuse: a semaphore posted to after it was destroyed.
 *
 * The worker posts `ready` when its result is ready, and once more when it
 * has cleaned up. The main thread waits for the first post only, takes the
 * result and destroys the semaphore, thinking the hand-off is over; the
 * worker's second post then lands on a destroyed semaphore. That is
 * undefined behaviour. glibc happens to leave the memory alone, so the bug
 * sleeps until the semaphore lives in memory that is freed or reused after
 * the destroy (a heap block, a stack frame): then the late post corrupts
 * whatever lives there, or wakes a thread waiting on something else.
 * racedet reports the post, where the semaphore was created and where it
 * was destroyed. A second semaphore forces the unlucky order (destroy
 * first, late post second), so it happens on every run.
 * The fixed twin waits for both posts and joins the worker before it
 * destroys the semaphore.
 */
#include <pthread.h>
#include <semaphore.h>
#include <stdio.h>

static sem_t ready;        /* the worker's signals: result ready, cleaned up */
static sem_t destroyed;    /* forces the order: destroy, then the late post */
static int result;

static void *worker(void *arg)
{
    (void)arg;
    result = 42;
    sem_post(&ready);               /* the result is ready */
    sem_wait(&destroyed);
    sem_post(&ready);               /* BUG: "cleaned up", on a destroyed semaphore */
    return NULL;
}

int main(void)
{
    pthread_t t;

    sem_init(&ready, 0, 0);
    sem_init(&destroyed, 0, 0);
    pthread_create(&t, NULL, worker, NULL);
    sem_wait(&ready);
    printf("result %d\n", result);
    sem_destroy(&ready);            /* too early: the worker posts again */
    sem_post(&destroyed);
    pthread_join(t, NULL);
    sem_destroy(&destroyed);
    return 0;
}
