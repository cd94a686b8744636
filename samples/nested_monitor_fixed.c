/* nested_monitor_fixed: the twin of nested_monitor.c, no outer lock while waiting.
 *
 * wait_for_job() registers itself under registry_lock and releases it before
 * it takes job_lock and waits; it retakes registry_lock afterwards to
 * unregister. While it waits it holds nothing but job_lock, which the wait
 * itself releases. The signaller can now follow the real protocol, taking
 * registry_lock and then job_lock, without hanging. Before waiting on a
 * condition, release every lock except the condition's own mutex. racedet
 * reports nothing.
 */
#include <pthread.h>
#include <semaphore.h>
#include <stdio.h>
#include <time.h>

static pthread_mutex_t registry_lock = PTHREAD_MUTEX_INITIALIZER; /* outer */
static pthread_mutex_t job_lock = PTHREAD_MUTEX_INITIALIZER;      /* inner */
static pthread_cond_t job_done = PTHREAD_COND_INITIALIZER;
static sem_t waiter_registered;
static int waiters, done;

static void *wait_for_job(void *arg)
{
    (void)arg;
    pthread_mutex_lock(&registry_lock);
    waiters++;
    pthread_mutex_unlock(&registry_lock);   /* FIX: release before waiting */
    pthread_mutex_lock(&job_lock);
    sem_post(&waiter_registered);
    while (!done)
        pthread_cond_wait(&job_done, &job_lock);
    pthread_mutex_unlock(&job_lock);
    pthread_mutex_lock(&registry_lock);
    waiters--;
    pthread_mutex_unlock(&registry_lock);
    return NULL;
}

int main(void)
{
    pthread_t waiter;
    int left;

    sem_init(&waiter_registered, 0, 0);
    pthread_create(&waiter, NULL, wait_for_job, NULL);
    sem_wait(&waiter_registered);
    nanosleep(&(struct timespec){.tv_nsec = 300 * 1000000L}, NULL); /* the job runs */
    /* Signal the job's end, taking registry_lock first: no longer a hang. */
    pthread_mutex_lock(&registry_lock);
    pthread_mutex_lock(&job_lock);
    done = 1;
    pthread_cond_signal(&job_done);
    pthread_mutex_unlock(&job_lock);
    pthread_mutex_unlock(&registry_lock);
    pthread_join(waiter, NULL);
    pthread_mutex_lock(&registry_lock);
    left = waiters;
    pthread_mutex_unlock(&registry_lock);
    printf("job done, %d waiter(s) left\n", left);
    sem_destroy(&waiter_registered);
    return 0;
}
