/* timed_cycle: an ABBA wait in which one side gives up is not a deadlock.
 *
 * T1 holds a and waits for b with a 2 s pthread_mutex_timedlock; main holds
 * b and waits for a without a time limit. For 2 s they wait for each other,
 * then T1's wait times out, it releases a, and everything ends. A barrier
 * forces both to hold their first lock before either asks for the second.
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <time.h>

static pthread_mutex_t a = PTHREAD_MUTEX_INITIALIZER, b = PTHREAD_MUTEX_INITIALIZER;
static pthread_barrier_t both_hold_one;

static void *t1(void *arg)
{
    struct timespec until;
    int rc;
    (void)arg;
    pthread_mutex_lock(&a);
    pthread_barrier_wait(&both_hold_one);
    clock_gettime(CLOCK_REALTIME, &until);
    until.tv_sec += 2;
    rc = pthread_mutex_timedlock(&b, &until);
    if (rc == 0)
        pthread_mutex_unlock(&b);
    pthread_mutex_unlock(&a);
    return (void *)(long)rc;
}

int main(void)
{
    pthread_t t;
    void *rc;
    pthread_barrier_init(&both_hold_one, NULL, 2);
    pthread_create(&t, NULL, t1, NULL);
    pthread_mutex_lock(&b);
    pthread_barrier_wait(&both_hold_one);
    pthread_mutex_lock(&a); /* waits until T1 gives up */
    pthread_mutex_unlock(&a);
    pthread_mutex_unlock(&b);
    pthread_join(t, &rc);
    pthread_barrier_destroy(&both_hold_one);
    printf("timed_cycle: T1's timedlock returned %s\n", (long)rc == ETIMEDOUT ? "ETIMEDOUT" : "?");
    return (long)rc == ETIMEDOUT ? 0 : 1;
}
