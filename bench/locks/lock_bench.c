/*
 * lock_bench: the lock-analysis workloads of issue 2, timed from inside so
 * that start-up costs (loading the shim, symbols) do not count.
 *   lock_bench pair N     N x (lock; unlock) of one uncontended mutex
 *   lock_bench nested N   N x (lock a, b, c in a fixed order; unlock c, b, a)
 *   lock_bench churn N    N x (pthread_create of an empty thread; pthread_join)
 * Prints nanoseconds per iteration.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static pthread_mutex_t a = PTHREAD_MUTEX_INITIALIZER;
static pthread_mutex_t b = PTHREAD_MUTEX_INITIALIZER;
static pthread_mutex_t c = PTHREAD_MUTEX_INITIALIZER;

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e9 + ts.tv_nsec;
}

static void *nothing(void *arg)
{
    return arg;
}

int main(int argc, char **argv)
{
    long n = argc > 2 ? atol(argv[2]) : 1000000;
    const char *mode = argc > 1 ? argv[1] : "pair";
    double t0 = now();
    if (strcmp(mode, "pair") == 0) {
        for (long i = 0; i < n; i++) {
            pthread_mutex_lock(&a);
            pthread_mutex_unlock(&a);
        }
    } else if (strcmp(mode, "nested") == 0) {
        for (long i = 0; i < n; i++) {
            pthread_mutex_lock(&a);
            pthread_mutex_lock(&b);
            pthread_mutex_lock(&c);
            pthread_mutex_unlock(&c);
            pthread_mutex_unlock(&b);
            pthread_mutex_unlock(&a);
        }
    } else if (strcmp(mode, "churn") == 0) {
        for (long i = 0; i < n; i++) {
            pthread_t t;
            if (pthread_create(&t, NULL, nothing, NULL) != 0)
                return 1;
            pthread_join(t, NULL);
        }
    } else {
        fprintf(stderr, "usage: lock_bench pair|nested|churn [N]\n");
        return 2;
    }
    printf("%.1f\n", (now() - t0) / n);
    return 0;
}
