/*
 * fast_path_lines: an ABBA whose held locks are taken on the lock fast
 * path (events/lock_fast.h: lock, chain and call site all cached) through
 * a wrapper called from two consecutive lines, so that both lines reach
 * pthread_mutex_lock with the same return address at the same depth and
 * the same (empty) held chain. The call-site cache then holds both paths;
 * each acquisition must still name its own line: forward's a at line 31
 * (its path not the one the cache tries first), backward's b at line 50
 * (tests/e2e/stack_lines.sh). The threads run one after the other, so the
 * program never deadlocks.
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
    for (int i = 0; i < 4; i++) {
        lk(&a);
        if (i == 3)
            break;
        ulk(&a);
        lk(&a);
        ulk(&a);
    }
    lk(&b); /* a -> b, a taken at line 31 */
    ulk(&b);
    ulk(&a);
    return NULL;
}

static void *backward(void *arg)
{
    (void)arg;
    for (int i = 0; i < 4; i++) {
        lk(&b);
        ulk(&b);
        lk(&b);
        if (i == 3)
            break;
        ulk(&b);
    }
    lk(&a); /* b -> a, b taken at line 50 */
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
