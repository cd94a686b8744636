/* sleep_under_private_lock_fixed: a sleep under a lock that no other thread ever wants.
 *
 * Each worker owns a rate limiter with its own lock (the limiter is a
 * shareable type, so it has one), and backs off under that lock for 300 ms
 * (the limiter's state must not change meanwhile). No other thread ever
 * takes or waits for a worker's limiter lock, so the sleep stalls nobody:
 * racedet reports a blocking call under a lock only when another thread
 * acquires or waits for that lock at some point of the run (compare
 * sleep_under_lock.c, where a reader waits for the lock). racedet reports
 * nothing.
 */
#include <pthread.h>
#include <stdio.h>
#include <time.h>

struct limiter {
    pthread_mutex_t lock;
    int tokens;
};

static void *worker(void *arg)
{
    struct limiter *mine = arg;

    pthread_mutex_lock(&mine->lock);
    nanosleep(&(struct timespec){.tv_nsec = 300 * 1000000L}, NULL); /* back off */
    mine->tokens++;
    pthread_mutex_unlock(&mine->lock);
    return NULL;
}

int main(void)
{
    struct limiter limiters[2] = {{PTHREAD_MUTEX_INITIALIZER, 0}, {PTHREAD_MUTEX_INITIALIZER, 0}};
    pthread_t workers[2];

    for (int i = 0; i < 2; i++)
        pthread_create(&workers[i], NULL, worker, &limiters[i]);
    for (int i = 0; i < 2; i++)
        pthread_join(workers[i], NULL);
    printf("tokens: %d %d\n", limiters[0].tokens, limiters[1].tokens);
    return 0;
}
