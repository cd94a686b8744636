/* thread_leak: a joinable thread that finishes, and is never joined nor detached.
 *
 * main() starts a worker to compute a checksum, waits until the worker has
 * ended, and returns without pthread_join(). It waits on a semaphore that
 * the destructor of the worker's thread-specific scratch buffer posts: such
 * destructors run as a thread ends, once its start routine has returned. A
 * joinable thread that ended keeps its stack and descriptor (a "zombie"
 * thread) until someone joins it; a server that does this once per request
 * leaks memory until pthread_create fails with EAGAIN. racedet reports the
 * ended thread that nobody joined, and where it was created. (A thread
 * still running when the process exits is not a leak: it is reported only
 * with report_running_threads, as ThreadSanitizer does.)
 * The fixed twin joins the worker, which both waits for it and frees the
 * thread (pthread_detach is the alternative when nobody needs to wait).
 */
#include <pthread.h>
#include <semaphore.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static pthread_key_t scratch_key;
static sem_t worker_ended;
static unsigned checksum;

static void free_scratch(void *scratch)
{
    free(scratch);
    sem_post(&worker_ended);                /* runs as the worker ends */
}

static void *compute_checksum(void *arg)
{
    const char *text = arg;
    unsigned *sum = malloc(sizeof *sum);    /* the thread's scratch space */

    pthread_setspecific(scratch_key, sum);
    *sum = 0;
    for (size_t i = 0; i < strlen(text); i++)
        *sum = *sum * 31 + (unsigned char)text[i];
    checksum = *sum;
    return NULL;
}

int main(void)
{
    pthread_t worker;

    pthread_key_create(&scratch_key, free_scratch);
    sem_init(&worker_ended, 0, 0);
    pthread_create(&worker, NULL, compute_checksum, "hello, threads"); /* BUG: never joined */
    sem_wait(&worker_ended);
    printf("checksum %08x\n", checksum);
    return 0;
}
