/* deadlock_join_fixed: the twin of deadlock_join.c, unlock before joining.
 *
 * run_worker_and_wait() resets the statistics under stats_lock and starts the
 * worker as before, but releases stats_lock before pthread_join(). The worker
 * can then take the lock, record its statistic and end, and the join returns.
 * Rule of thumb: never wait for another thread (join, condition, semaphore)
 * while holding a lock it might need. racedet reports nothing.
 */
#include <pthread.h>
#include <stdio.h>

static pthread_mutex_t stats_lock = PTHREAD_MUTEX_INITIALIZER;
static int requests;

static void *record_request(void *arg)
{
    (void)arg;
    pthread_mutex_lock(&stats_lock);
    requests++;
    pthread_mutex_unlock(&stats_lock);
    return NULL;
}

static void run_worker_and_wait(void)
{
    pthread_t worker;

    pthread_mutex_lock(&stats_lock);
    requests = 0;
    pthread_create(&worker, NULL, record_request, NULL);
    pthread_mutex_unlock(&stats_lock);      /* FIX: release before waiting */
    pthread_join(worker, NULL);
}

int main(void)
{
    run_worker_and_wait();
    printf("%d request(s)\n", requests);
    return 0;
}
