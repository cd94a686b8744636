/* POSIX lets a condition variable be destroyed once no thread is blocked
 * on it, before the woken waiters return (compiler-rt's cond_destruction):
 * the waiter's use of the condition variable comes before it unlocks the
 * mutex in the wait, which main takes before it destroys: silent. */
#include <pthread.h>

static pthread_mutex_t m = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t c = PTHREAD_COND_INITIALIZER;
static int started, go;

static void *waiter(void *arg)
{
    pthread_mutex_lock(&m);
    started = 1;
    pthread_cond_signal(&c);
    while (!go)
        pthread_cond_wait(&c, &m);
    pthread_mutex_unlock(&m);
    return arg;
}

int main(void)
{
    pthread_t t;
    pthread_create(&t, NULL, waiter, NULL);
    pthread_mutex_lock(&m);
    while (!started)
        pthread_cond_wait(&c, &m);
    go = 1;
    pthread_mutex_unlock(&m);
    pthread_cond_signal(&c);
    pthread_cond_destroy(&c);
    pthread_join(t, NULL);
    return 0;
}
