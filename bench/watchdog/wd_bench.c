/*
 * wd_bench: what the deadlock watchdog costs a lock-heavy program.
 *
 *   wd_bench private THREADS N   each thread N x (lock; unlock) of its own
 *                                mutex: nobody ever blocks
 *   wd_bench shared THREADS N    all threads N x (lock; unlock) of one
 *                                mutex: threads block on it all the time
 *
 * Before the timed part, one forced contended wait (a helper holds a mutex
 * for 20 ms while main asks for it) makes the watchdog start, so that with
 * detect_deadlocks=true it is running during the measurement. Prints
 * nanoseconds per (lock; unlock), wall clock, all threads together.
 */
#include <pthread.h>
#include <semaphore.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define MAX_THREADS 64

static pthread_mutex_t shared = PTHREAD_MUTEX_INITIALIZER;
static struct {
    pthread_mutex_t m;
    char pad[64 - sizeof(pthread_mutex_t) % 64];
} own[MAX_THREADS];
static long n;
static int use_shared;
static pthread_barrier_t start;
static pthread_mutex_t warm = PTHREAD_MUTEX_INITIALIZER;
static sem_t warm_held;

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e9 + ts.tv_nsec;
}

static void *hold_warm(void *arg)
{
    (void)arg;
    pthread_mutex_lock(&warm);
    sem_post(&warm_held);
    usleep(20000);
    pthread_mutex_unlock(&warm);
    return NULL;
}

static void *work(void *arg)
{
    pthread_mutex_t *m = use_shared ? &shared : &own[(long)arg].m;
    pthread_barrier_wait(&start);
    for (long i = 0; i < n; i++) {
        pthread_mutex_lock(m);
        pthread_mutex_unlock(m);
    }
    return NULL;
}

int main(int argc, char **argv)
{
    const char *mode = argc > 1 ? argv[1] : "private";
    int threads = argc > 2 ? atoi(argv[2]) : 2;
    pthread_t t[MAX_THREADS], w;
    double t0;

    n = argc > 3 ? atol(argv[3]) : 1000000;
    if (threads < 1 || threads > MAX_THREADS || n < 1 ||
        (strcmp(mode, "private") != 0 && strcmp(mode, "shared") != 0)) {
        fprintf(stderr, "usage: wd_bench private|shared THREADS N\n");
        return 2;
    }
    use_shared = strcmp(mode, "shared") == 0;
    for (int i = 0; i < threads; i++)
        pthread_mutex_init(&own[i].m, NULL);

    /* one real wait: the watchdog (if enabled) starts now, not in the loop */
    sem_init(&warm_held, 0, 0);
    pthread_create(&w, NULL, hold_warm, NULL);
    sem_wait(&warm_held);
    pthread_mutex_lock(&warm);
    pthread_mutex_unlock(&warm);
    pthread_join(w, NULL);

    pthread_barrier_init(&start, NULL, (unsigned)threads + 1);
    for (long i = 0; i < threads; i++)
        pthread_create(&t[i], NULL, work, (void *)i);
    pthread_barrier_wait(&start);
    t0 = now();
    for (int i = 0; i < threads; i++)
        pthread_join(t[i], NULL);
    printf("%.2f\n", (now() - t0) / ((double)n * threads));
    pthread_barrier_destroy(&start);
    return 0;
}
