/*
 * lock_order_stress: lock graphs of the sizes real programs build, for
 * tests/e2e/lock_order.sh and bench/locks/run.sh (which builds it with -O2).
 * Each mode prints nanoseconds per iteration on stdout.
 *
 *   fixed N         2 threads, N iterations each: 3 of 64 mutexes, picked at
 *                   random, taken nested in ascending order (no cycle)
 *   rotate T        T threads, one after another, each taking 45 mutexes
 *                   nested starting at each of them in turn (LLVM's
 *                   deadlock_detector_stress_test Test19): every pair of
 *                   locks is inverted
 *   chain N DEPTH   N mutexes taken in nested chains DEPTH deep, always in
 *                   the same order, once (one iteration: one lock)
 *   graph N         N mutexes; for every i < j, lock i then j (one
 *                   iteration: one pair): N(N-1)/2 edges and no cycle,
 *                   the shape of Helgrind's t2t_laog
 *   self_abba       one thread takes a then b, later b then a (prints nothing)
 *   warm_abba       one thread takes a then b 1,000 times through one helper,
 *                   amid 2,016 other lock pairs (more than the thread's
 *                   caches first hold, so they grow), then b then a once
 *                   through the same helper: the fast paths' caches must
 *                   tell a -> b from b -> a (prints nothing)
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static pthread_mutex_t *m;
static long iters;

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e9 + ts.tv_nsec;
}

static pthread_mutex_t *make_locks(long n)
{
    pthread_mutex_t *p = calloc((size_t)n, sizeof *p);
    if (!p) {
        perror("calloc");
        exit(1);
    }
    for (long i = 0; i < n; i++)
        pthread_mutex_init(&p[i], NULL);
    return p;
}

static void *fixed_thread(void *arg)
{
    unsigned seed = (unsigned)(size_t)arg;
    for (long it = 0; it < iters; it++) {
        int a, b, c;
        seed = seed * 1103515245u + 12345u;
        a = (int)((seed >> 8) % 62);
        b = a + 1 + (int)((seed >> 16) % (unsigned)(62 - a));
        c = b + 1 + (int)((seed >> 24) % (unsigned)(63 - b));
        pthread_mutex_lock(&m[a]);
        pthread_mutex_lock(&m[b]);
        pthread_mutex_lock(&m[c]);
        pthread_mutex_unlock(&m[c]);
        pthread_mutex_unlock(&m[b]);
        pthread_mutex_unlock(&m[a]);
    }
    return NULL;
}

static void *rotate_thread(void *arg)
{
    (void)arg;
    for (int i = 0; i < 45; i++) {
        for (int j = 0; j < 45; j++)
            pthread_mutex_lock(&m[(i + j) % 45]);
        for (int j = 44; j >= 0; j--)
            pthread_mutex_unlock(&m[(i + j) % 45]);
    }
    return NULL;
}

/* One call site for every pair warm_abba takes. */
static __attribute__((noinline)) void take_pair(pthread_mutex_t *x, pthread_mutex_t *y)
{
    pthread_mutex_lock(x);
    pthread_mutex_lock(y);
    pthread_mutex_unlock(y);
    pthread_mutex_unlock(x);
}

static void run_threads(int n, void *(*fn)(void *), int at_once)
{
    pthread_t t[64];
    for (int i = 0; i < n; i += at_once) {
        for (int k = i; k < n && k < i + at_once; k++)
            if (pthread_create(&t[k], NULL, fn, (void *)(size_t)(k + 1)) != 0)
                exit(1);
        for (int k = i; k < n && k < i + at_once; k++)
            pthread_join(t[k], NULL);
    }
}

int main(int argc, char **argv)
{
    const char *mode = argc > 1 ? argv[1] : "";
    long n = argc > 2 ? atol(argv[2]) : 0;
    double t0 = now(), per = 1;

    if (strcmp(mode, "fixed") == 0 && n > 0) {
        m = make_locks(64);
        iters = n;
        t0 = now();
        run_threads(2, fixed_thread, 2);
        per = (double)n;
    } else if (strcmp(mode, "rotate") == 0 && n > 0 && n <= 64) {
        m = make_locks(45);
        t0 = now();
        run_threads((int)n, rotate_thread, 1); /* one at a time: no real deadlock */
        per = (double)n * 45 * 45;
    } else if (strcmp(mode, "chain") == 0 && n > 0 && argc > 3 && atol(argv[3]) > 0) {
        long depth = atol(argv[3]);
        m = make_locks(n);
        t0 = now();
        for (long base = 0; base < n; base += depth) {
            long end = base + depth < n ? base + depth : n;
            for (long i = base; i < end; i++)
                pthread_mutex_lock(&m[i]);
            for (long i = end - 1; i >= base; i--)
                pthread_mutex_unlock(&m[i]);
        }
        per = (double)n;
    } else if (strcmp(mode, "graph") == 0 && n > 1) {
        m = make_locks(n);
        t0 = now();
        for (long i = 0; i < n; i++) {
            pthread_mutex_lock(&m[i]);
            for (long j = i + 1; j < n; j++) {
                pthread_mutex_lock(&m[j]);
                pthread_mutex_unlock(&m[j]);
            }
            pthread_mutex_unlock(&m[i]);
        }
        per = (double)n * (n - 1) / 2;
    } else if (strcmp(mode, "self_abba") == 0) {
        m = make_locks(2);
        pthread_mutex_lock(&m[0]);
        pthread_mutex_lock(&m[1]);
        pthread_mutex_unlock(&m[1]);
        pthread_mutex_unlock(&m[0]);
        pthread_mutex_lock(&m[1]);
        pthread_mutex_lock(&m[0]);
        pthread_mutex_unlock(&m[0]);
        pthread_mutex_unlock(&m[1]);
        return 0;
    } else if (strcmp(mode, "warm_abba") == 0) {
        m = make_locks(66); /* a, b, and 64 others */
        for (int round = 0; round < 1000; round++) {
            take_pair(&m[0], &m[1]);
            for (int i = 2; round < 2 && i < 66; i++)
                for (int j = i + 1; j < 66; j++)
                    take_pair(&m[i], &m[j]);
        }
        take_pair(&m[1], &m[0]);
        return 0;
    } else {
        fprintf(stderr, "usage: lock_order_stress fixed N | rotate T | chain N DEPTH | graph N | "
                        "self_abba | warm_abba\n");
        return 2;
    }
    printf("%.1f\n", (now() - t0) / per);
    return 0;
}
