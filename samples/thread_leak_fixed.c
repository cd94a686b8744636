/* thread_leak_fixed: the twin of thread_leak.c, the worker is joined.
 *
 * main() waits for the worker with pthread_join(), which both waits until
 * the thread has finished (so its result is visible) and releases the thread's
 * stack and descriptor. The semaphore (and the thread-specific buffer whose
 * destructor posted it) are no longer needed. Use
 * pthread_detach() instead for fire-and-forget threads that nobody waits for.
 * racedet reports nothing.
 */
#include <pthread.h>
#include <stdio.h>
#include <string.h>

static unsigned checksum;

static void *compute_checksum(void *arg)
{
    const char *text = arg;
    unsigned sum = 0;

    for (size_t i = 0; i < strlen(text); i++)
        sum = sum * 31 + (unsigned char)text[i];
    checksum = sum;
    return NULL;
}

int main(void)
{
    pthread_t worker;

    pthread_create(&worker, NULL, compute_checksum, "hello, threads");
    pthread_join(worker, NULL);             /* FIX: wait and release */
    printf("checksum %08x\n", checksum);
    return 0;
}
