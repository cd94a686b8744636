/* thread_churn: N short threads, created and joined two at a time, each
 * taking a mutex once (issue 14, item 4). Prints "seconds peak_rss_kb". */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <time.h>

static pthread_mutex_t m = PTHREAD_MUTEX_INITIALIZER;
static long counter;

static void *work(void *arg)
{
    pthread_mutex_lock(&m);
    counter++;
    pthread_mutex_unlock(&m);
    return arg;
}

int main(int argc, char **argv)
{
    int n = argc > 1 ? atoi(argv[1]) : 20000;
    struct timespec a, b;
    struct rusage ru;
    clock_gettime(CLOCK_MONOTONIC, &a);
    for (int i = 0; i < n; i += 2) {
        pthread_t t[2];
        for (int k = 0; k < 2; k++)
            if (pthread_create(&t[k], NULL, work, NULL) != 0)
                return 1;
        for (int k = 0; k < 2; k++)
            pthread_join(t[k], NULL);
    }
    clock_gettime(CLOCK_MONOTONIC, &b);
    getrusage(RUSAGE_SELF, &ru);
    if (counter != n)
        return 1;
    printf("%.3f %ld\n", (double)(b.tv_sec - a.tv_sec) + (double)(b.tv_nsec - a.tv_nsec) / 1e9,
           ru.ru_maxrss);
    return 0;
}
