/* slow_holder: a long but finite lock wait is not a deadlock.
 *
 * The holder takes the lock and keeps it for 2 s (longer than the default
 * deadlock_timeout of 1 s); the waiter blocks on it for those 2 s, then
 * gets it. Nothing waits in a cycle, so racedet must let the program end.
 * (The 2 s sleep under the lock is a blocking call under a lock: the test
 * raises blocking_threshold_ms so that only the deadlock question is asked.)
 */
#include <pthread.h>
#include <semaphore.h>
#include <stdio.h>
#include <time.h>

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static sem_t held;

static void *holder(void *arg)
{
    (void)arg;
    pthread_mutex_lock(&lock);
    sem_post(&held);
    nanosleep(&(struct timespec){.tv_sec = 2}, NULL);
    pthread_mutex_unlock(&lock);
    return NULL;
}

int main(void)
{
    pthread_t t;
    sem_init(&held, 0, 0);
    pthread_create(&t, NULL, holder, NULL);
    sem_wait(&held);
    pthread_mutex_lock(&lock); /* blocks for ~2 s */
    pthread_mutex_unlock(&lock);
    pthread_join(t, NULL);
    sem_destroy(&held);
    puts("slow_holder: done");
    return 0;
}
