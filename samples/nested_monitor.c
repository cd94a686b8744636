/* nested_monitor: waiting on a condition while still holding another lock.
 *
 * wait_for_job() takes registry_lock (to register itself), then job_lock, and
 * waits on job_done with pthread_cond_wait(&job_done, &job_lock). The wait
 * releases job_lock, but not registry_lock, which stays held for as long as
 * the wait lasts. Any signaller that must first take registry_lock (the usual
 * case: it looks the waiter up in the registry) can then never signal, and
 * both threads hang: the "nested monitor lockout". Here the signaller only
 * needs job_lock and signals after 300 ms, so the program ends (main takes
 * registry_lock only after the waiter is gone, to count the waiters left);
 * racedet reports the 300 ms wait made while registry_lock, a lock other
 * threads use, was held.
 * The fixed twin releases registry_lock before it waits.
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
    pthread_mutex_lock(&job_lock);
    sem_post(&waiter_registered);
    while (!done)
        pthread_cond_wait(&job_done, &job_lock); /* BUG: registry_lock still held */
    pthread_mutex_unlock(&job_lock);
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
    /* Signal the job's end. Taking registry_lock first would hang forever. */
    pthread_mutex_lock(&job_lock);
    done = 1;
    pthread_cond_signal(&job_done);
    pthread_mutex_unlock(&job_lock);
    pthread_join(waiter, NULL);
    pthread_mutex_lock(&registry_lock);
    left = waiters;
    pthread_mutex_unlock(&registry_lock);
    printf("job done, %d waiter(s) left\n", left);
    sem_destroy(&waiter_registered);
    return 0;
}
