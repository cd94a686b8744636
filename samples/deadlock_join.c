/* deadlock_join: joining a thread while holding a lock that thread needs.
 *
 * run_worker_and_wait() locks stats_lock to reset the statistics, starts a
 * worker that records one statistic (under stats_lock), and joins it, still
 * holding stats_lock. The worker blocks on the lock, the joiner blocks until
 * the worker ends: each waits for the other forever. pthread_join() is a
 * blocking wait like any other, and must not be made while holding a lock
 * that the awaited thread may take. Natively this program always hangs; racedet
 * reports the deadlock (the join, the worker's lock attempt, and where the
 * joiner took the lock) and ends the process.
 * The fixed twin unlocks stats_lock before joining.
 */
#include <pthread.h>
#include <stdio.h>

static pthread_mutex_t stats_lock = PTHREAD_MUTEX_INITIALIZER;
static int requests;

static void *record_request(void *arg)
{
    (void)arg;
    pthread_mutex_lock(&stats_lock);        /* blocks: the joiner holds it */
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
    pthread_join(worker, NULL);             /* BUG: joins while holding stats_lock */
    pthread_mutex_unlock(&stats_lock);
}

int main(void)
{
    run_worker_and_wait();
    printf("%d request(s)\n", requests);
    return 0;
}
