/* cond_destroy_woken: a condition variable destroyed once its waiter was
 * woken, before the waiter has returned, is not destroyed in use.
 *
 * The waiter waits on `ready` with `lock`. Main takes `lock` once the
 * waiter said it holds it (a semaphore), so main gets it only when the
 * waiter's pthread_cond_wait releases it; main broadcasts, and destroys `ready` while it still holds `lock`: the
 * woken waiter cannot have returned yet, as it needs `lock` again. POSIX
 * allows it ("It shall be safe to destroy an initialized condition
 * variable upon which no threads are currently blocked"), and glibc's
 * destroy waits for woken waiters to be done with the condition. racedet
 * must stay silent.
 */
#include <pthread.h>
#include <semaphore.h>
#include <stdio.h>

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t ready;
static sem_t holds_lock;
static int go;

static void *waiter(void *arg)
{
    (void)arg;
    pthread_mutex_lock(&lock);
    sem_post(&holds_lock);
    while (!go)
        pthread_cond_wait(&ready, &lock);
    pthread_mutex_unlock(&lock);
    return NULL;
}

int main(void)
{
    pthread_t t;
    int rc;
    pthread_cond_init(&ready, NULL);
    sem_init(&holds_lock, 0, 0);
    pthread_create(&t, NULL, waiter, NULL);
    sem_wait(&holds_lock);
    pthread_mutex_lock(&lock); /* the waiter is in pthread_cond_wait, which released it */
    go = 1;
    pthread_cond_broadcast(&ready);
    rc = pthread_cond_destroy(&ready); /* the waiter was woken: fine */
    pthread_mutex_unlock(&lock);
    pthread_join(t, NULL);
    sem_destroy(&holds_lock);
    printf("cond_destroy_woken: destroy returned %d\n", rc);
    return rc;
}
