/* timed_cycle: an ABBA wait in which one side gives up is not a deadlock,
 * and the lock order it then takes is not a lock-order cycle.
 *
 * T1 holds a and waits for b with a 2 s pthread_mutex_timedlock; main holds
 * b and waits for a without a time limit. For 2 s they wait for each other,
 * then T1's wait times out, it backs off (releases a) and tries again, as
 * a program written for timed locks does, once main has got a and released
 * both (a semaphore, so that the second try never meets main). The second
 * try takes a then b: the edge a -> b, taken by a timed call,
 * closes the cycle b -> a (main) -> b. A timed call that met the cycle
 * would time out as the first one did, so racedet reports neither a
 * deadlock nor a lock_order_cycle (README "Timed locks back off"). A barrier forces
 * both to hold their first lock before either asks for the second.
 */
#include <errno.h>
#include <pthread.h>
#include <semaphore.h>
#include <stdio.h>
#include <time.h>

static pthread_mutex_t a = PTHREAD_MUTEX_INITIALIZER, b = PTHREAD_MUTEX_INITIALIZER;
static pthread_barrier_t both_hold_one;
static sem_t main_done;

static void *t1(void *arg)
{
    struct timespec until;
    int rc, tries = 0;
    (void)arg;
    for (;;) {
        pthread_mutex_lock(&a);
        if (tries++ == 0)
            pthread_barrier_wait(&both_hold_one);
        clock_gettime(CLOCK_REALTIME, &until);
        until.tv_sec += 2;
        rc = pthread_mutex_timedlock(&b, &until);
        if (rc == 0)
            break;
        pthread_mutex_unlock(&a); /* ETIMEDOUT: back off, then try again */
        if (rc != ETIMEDOUT)
            return (void *)-1L;
        sem_wait(&main_done);
    }
    pthread_mutex_unlock(&b);
    pthread_mutex_unlock(&a);
    return (void *)(long)tries;
}

int main(void)
{
    pthread_t t;
    void *tries;
    pthread_barrier_init(&both_hold_one, NULL, 2);
    sem_init(&main_done, 0, 0);
    pthread_create(&t, NULL, t1, NULL);
    pthread_mutex_lock(&b);
    pthread_barrier_wait(&both_hold_one);
    pthread_mutex_lock(&a); /* waits until T1 gives up */
    pthread_mutex_unlock(&a);
    pthread_mutex_unlock(&b);
    sem_post(&main_done);
    pthread_join(t, &tries);
    pthread_barrier_destroy(&both_hold_one);
    sem_destroy(&main_done);
    printf("timed_cycle: T1's first timedlock returned %s, it took both locks on try %ld\n",
           (long)tries == 2 ? "ETIMEDOUT" : "?", (long)tries);
    return (long)tries == 2 ? 0 : 1;
}
