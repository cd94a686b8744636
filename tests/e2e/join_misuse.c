/* join_misuse: joins that glibc refuses (Helgrind: "call to pthread_join
 * failed"): a thread joining itself (EDEADLK) and a join of a detached
 * thread that is still running (EINVAL; it waits on a semaphore until
 * main has tried). Reported: sync_misuse, once each. A plain join of a
 * joinable thread is fine. Prints what each call returned.
 */
#include <pthread.h>
#include <semaphore.h>
#include <stdio.h>
#include <string.h>

static sem_t may_end;

static void *wait_then_end(void *arg)
{
    (void)arg;
    sem_wait(&may_end);
    return NULL;
}

static void *quick(void *arg)
{
    return arg;
}

int main(void)
{
    pthread_t detached, joinable;
    int rc;
    sem_init(&may_end, 0, 0);

    rc = pthread_join(pthread_self(), NULL);
    printf("join of itself: %s\n", strerror(rc));

    pthread_create(&detached, NULL, wait_then_end, NULL);
    pthread_detach(detached);
    rc = pthread_join(detached, NULL);
    printf("join of a detached thread: %s\n", strerror(rc));
    sem_post(&may_end);

    pthread_create(&joinable, NULL, quick, NULL);
    rc = pthread_join(joinable, NULL);
    printf("join of a joinable thread: %d\n", rc);
    return 0;
}
