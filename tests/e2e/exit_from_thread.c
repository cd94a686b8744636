/*
 * exit_from_thread: a worker calls exit() while main is blocked in a join;
 * before that, a second worker leaked (never joined) and ended holding a
 * lock. The exit must still produce both reports, from a non-main thread.
 */
#include <pthread.h>
#include <stdlib.h>

static pthread_mutex_t config_lock = PTHREAD_MUTEX_INITIALIZER;

static void *leave_locked(void *arg)
{
    pthread_mutex_lock(&config_lock);
    return arg; /* ends holding config_lock */
}

static void *finish_everything(void *arg)
{
    (void)arg;
    exit(7);
}

int main(void)
{
    pthread_t leaker, exiter;
    pthread_create(&leaker, NULL, leave_locked, NULL);
    pthread_join(leaker, NULL);
    pthread_create(&exiter, NULL, finish_everything, NULL);
    pthread_join(exiter, NULL); /* never returns: the worker exits */
    return 0;
}
