/* unlock_not_owner: a thread unlocks a mutex that another thread locked.
 *
 * main() locks job_lock, fills in the job and expects the worker to "finish
 * the job and release the lock". POSIX says unlocking a mutex you do not own
 * is undefined: glibc's default mutex lets it pass silently, error-checking,
 * robust and priority-inheritance mutexes return EPERM, and other systems may
 * corrupt the lock or abort. A mutex protects data; it is not a signal
 * between threads. racedet reports the unlock and where the real owner took
 * the lock.
 * The fixed twin: main unlocks its own lock, then hands the job over with a
 * semaphore; the worker takes job_lock itself.
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
    sem_wait(&job_ready);                   /* main holds job_lock now */
    job_result *= 2;
    pthread_mutex_unlock(&job_lock);        /* BUG: main locked it, not us */
    return NULL;
}

int main(void)
{
    pthread_t worker;

    sem_init(&job_ready, 0, 0);
    pthread_create(&worker, NULL, finish_job, NULL);
    pthread_mutex_lock(&job_lock);
    job_result = 21;
    sem_post(&job_ready);                   /* "the worker will unlock it" */
    pthread_join(worker, NULL);
    printf("job result %d\n", job_result);
    sem_destroy(&job_ready);
    return 0;                               /* job_lock is not unlocked here */
}
