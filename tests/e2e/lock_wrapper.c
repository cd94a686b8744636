/*
 * lock_wrapper: an ABBA through a tiny lock wrapper called on consecutive
 * lines. Every call of lk() reaches pthread_mutex_lock from the same return
 * address at the same stack depth, so only the outer frames tell the four
 * acquisitions apart: each stack of the report must still name its own
 * line (tests/e2e/stack_lines.sh). The threads run one after the other, so
 * the program never deadlocks.
 */
#include <pthread.h>

static pthread_mutex_t a = PTHREAD_MUTEX_INITIALIZER;
static pthread_mutex_t b = PTHREAD_MUTEX_INITIALIZER;

__attribute__((noinline)) static void lk(pthread_mutex_t *m)
{
    pthread_mutex_lock(m);
}

__attribute__((noinline)) static void ulk(pthread_mutex_t *m)
{
    pthread_mutex_unlock(m);
}

static void *forward(void *arg)
{
    (void)arg;
    lk(&a);
    lk(&b);
    ulk(&b);
    ulk(&a);
    return NULL;
}

static void *backward(void *arg)
{
    (void)arg;
    lk(&b);
    lk(&a);
    ulk(&a);
    ulk(&b);
    return NULL;
}

int main(void)
{
    pthread_t t;
    pthread_create(&t, NULL, forward, NULL);
    pthread_join(t, NULL);
    pthread_create(&t, NULL, backward, NULL);
    pthread_join(t, NULL);
    return 0;
}
