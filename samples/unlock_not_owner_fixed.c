/* unlock_not_owner_fixed: the twin of unlock_not_owner.c, with a real hand-off.
 *
 * Every thread unlocks what it locked. main() fills in the job under job_lock,
 * unlocks it, and only then tells the worker, through the semaphore, that the
 * job is ready. The worker locks job_lock itself to finish the job. The
 * semaphore carries the "go" signal between threads; the mutex only protects
 * the data while each thread works on it. racedet reports nothing.
 */
#include <pthread.h>
#include <semaphore.h>
#include <stdio.h>

static pthread_mutex_t job_lock = PTHREAD_MUTEX_INITIALIZER;
static sem_t job_ready;
static int job_result;

static void *finish_job(void *arg)
{
    (void)arg;
    sem_wait(&job_ready);
    pthread_mutex_lock(&job_lock);          /* FIX: take the lock ourselves */
    job_result *= 2;
    pthread_mutex_unlock(&job_lock);
    return NULL;
}

int main(void)
{
    pthread_t worker;
    int result;

    sem_init(&job_ready, 0, 0);
    pthread_create(&worker, NULL, finish_job, NULL);
    pthread_mutex_lock(&job_lock);
    job_result = 21;
    pthread_mutex_unlock(&job_lock);        /* FIX: the owner unlocks */
    sem_post(&job_ready);
    pthread_join(worker, NULL);
    pthread_mutex_lock(&job_lock);
    result = job_result;
    pthread_mutex_unlock(&job_lock);
    printf("job result %d\n", result);
    sem_destroy(&job_ready);
    return 0;
}
