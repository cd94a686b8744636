/* cond_two_mutexes: one condition variable waited on with two mutexes at
 * once (POSIX: undefined; the condition is bound to one mutex while any
 * wait on it has not returned. DRD: "Inconsistent association of
 * condition variable and mutex"; Helgrind: "cond is associated with a
 * different mutex").
 *
 * Reported (sync_misuse, once): waiter_2's wait on `shared_cond` with m2
 * while waiter_1 waits on it with m1 (main makes sure waiter_1 is inside
 * its wait first: m1 is free only once it is).
 * Silent: `reused_cond` waited on with m1, that wait returned, then with
 * m2: the binding ends when the wait returns.
 */
#include <pthread.h>
#include <semaphore.h>
#include <stdatomic.h>
#include <stdio.h>

static pthread_cond_t shared_cond = PTHREAD_COND_INITIALIZER;
static pthread_cond_t reused_cond = PTHREAD_COND_INITIALIZER;
static pthread_mutex_t m1 = PTHREAD_MUTEX_INITIALIZER;
static pthread_mutex_t m2 = PTHREAD_MUTEX_INITIALIZER;
static sem_t started;
static atomic_int go;

static void wait_for_go(pthread_mutex_t *m)
{
    pthread_mutex_lock(m);
    sem_post(&started);
    while (!atomic_load(&go))
        pthread_cond_wait(&shared_cond, m);
    pthread_mutex_unlock(m);
}

static void *waiter_1(void *arg)
{
    (void)arg;
    wait_for_go(&m1);
    return NULL;
}

static void *waiter_2(void *arg)
{
    (void)arg;
    wait_for_go(&m2);
    return NULL;
}

/* one wait on reused_cond with m, woken by main */
static void *reuse_waiter(void *arg)
{
    pthread_mutex_t *m = arg;
    pthread_mutex_lock(m);
    sem_post(&started);
    pthread_cond_wait(&reused_cond, m);
    pthread_mutex_unlock(m);
    return NULL;
}

static void reuse_with(pthread_mutex_t *m)
{
    pthread_t t;
    pthread_create(&t, NULL, reuse_waiter, m);
    sem_wait(&started);
    pthread_mutex_lock(m); /* free only once the waiter is inside its wait */
    pthread_cond_signal(&reused_cond);
    pthread_mutex_unlock(m);
    pthread_join(t, NULL);
}

int main(void)
{
    pthread_t t1, t2;
    sem_init(&started, 0, 0);

    pthread_create(&t1, NULL, waiter_1, NULL);
    sem_wait(&started);
    pthread_mutex_lock(&m1); /* waiter_1 is inside its wait */
    pthread_mutex_unlock(&m1);
    pthread_create(&t2, NULL, waiter_2, NULL);
    sem_wait(&started);
    /* go under both mutexes: no waiter can be between its check and its wait */
    pthread_mutex_lock(&m1);
    pthread_mutex_lock(&m2); /* (free once waiter_2 is inside its wait) */
    atomic_store(&go, 1);
    pthread_cond_broadcast(&shared_cond);
    pthread_mutex_unlock(&m2);
    pthread_mutex_unlock(&m1);
    pthread_join(t1, NULL);
    pthread_join(t2, NULL);

    reuse_with(&m1);
    reuse_with(&m2);
    printf("done\n");
    return 0;
}
