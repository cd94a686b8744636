/* thread_leak: a joinable thread that is never joined nor detached.
 *
 * main() starts a worker to compute a checksum, waits for the result on a
 * semaphore, and returns without pthread_join(). A joinable thread keeps its
 * stack and descriptor (a "zombie" thread) until someone joins it; a server
 * that does this once per request leaks memory until pthread_create fails
 * with EAGAIN. The semaphore also only says "the result is ready", not "the
 * thread is done": the worker may still be running when the process exits.
 * racedet reports the thread and where it was created.
 * The fixed twin joins the worker, which both waits for the result and frees
 * the thread (pthread_detach is the alternative when nobody needs to wait).
 */
#include <pthread.h>
#include <semaphore.h>
#include <stdio.h>
#include <string.h>

static sem_t result_ready;
static unsigned checksum;

static void *compute_checksum(void *arg)
{
    const char *text = arg;
    unsigned sum = 0;

    for (size_t i = 0; i < strlen(text); i++)
        sum = sum * 31 + (unsigned char)text[i];
    checksum = sum;
    sem_post(&result_ready);                /* the last thing the worker does */
    return NULL;
}

int main(void)
{
    pthread_t worker;

    sem_init(&result_ready, 0, 0);
    pthread_create(&worker, NULL, compute_checksum, "hello, threads"); /* BUG: never joined */
    sem_wait(&result_ready);
    printf("checksum %08x\n", checksum);
    return 0;
}
