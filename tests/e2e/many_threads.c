/*
 * many_threads [N]: N threads (default 3000), 200 alive at a time, each
 * taking two locks in the global order and a lock of its own (initialised,
 * used, destroyed: the same addresses are reused by later threads), then
 * joined. A correct program: racedet must stay silent, not crash, and not
 * confuse reused thread handles, stacks or lock addresses.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>

static pthread_mutex_t outer = PTHREAD_MUTEX_INITIALIZER;
static pthread_mutex_t inner = PTHREAD_MUTEX_INITIALIZER;
static long total;

struct job {
    pthread_mutex_t own;
    long n;
};

static void *work(void *arg)
{
    struct job *j = arg;
    pthread_mutex_lock(&j->own);
    pthread_mutex_lock(&outer);
    pthread_mutex_lock(&inner);
    total += j->n;
    pthread_mutex_unlock(&inner);
    pthread_mutex_unlock(&outer);
    pthread_mutex_unlock(&j->own);
    return NULL;
}

int main(int argc, char **argv)
{
    enum { BATCH = 200 };
    long n = argc > 1 ? atol(argv[1]) : 3000;
    pthread_t t[BATCH];
    struct job *jobs = calloc(BATCH, sizeof *jobs);
    for (long done = 0; done < n; done += BATCH) {
        for (int i = 0; i < BATCH; i++) {
            jobs[i].n = done + i;
            pthread_mutex_init(&jobs[i].own, NULL);
            if (pthread_create(&t[i], NULL, work, &jobs[i]) != 0) {
                perror("pthread_create");
                return 1;
            }
        }
        for (int i = 0; i < BATCH; i++) {
            pthread_join(t[i], NULL);
            pthread_mutex_destroy(&jobs[i].own);
        }
    }
    free(jobs);
    printf("%ld\n", total);
    return 0;
}
