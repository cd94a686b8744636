/*
 * thread_churn N [detach]: makes N short threads, two at a time, each
 * taking a mutex (and a pthread key destructor that takes it again after
 * the thread's start routine returned); joined, or detached. Prints
 * "rss FIRST LAST": the resident set in KiB after the first N/10 threads
 * and after all N.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static pthread_mutex_t m = PTHREAD_MUTEX_INITIALIZER;
static pthread_key_t key;
static long counter;

static void destructor(void *p)
{
    pthread_mutex_lock(&m);
    counter++;
    pthread_mutex_unlock(&m);
    (void)p;
}

static void *work(void *arg)
{
    pthread_setspecific(key, &counter);
    pthread_mutex_lock(&m);
    counter++;
    pthread_mutex_unlock(&m);
    return arg;
}

static long rss_kib(void)
{
    char line[256];
    long kib = -1;
    FILE *f = fopen("/proc/self/status", "r");
    while (f && fgets(line, sizeof line, f))
        if (strncmp(line, "VmRSS:", 6) == 0)
            kib = atol(line + 6);
    if (f)
        fclose(f);
    return kib;
}

int main(int argc, char **argv)
{
    int n = argc > 1 ? atoi(argv[1]) : 5000;
    int detach = argc > 2 && strcmp(argv[2], "detach") == 0;
    long first = 0;
    pthread_attr_t attr;
    pthread_key_create(&key, destructor);
    pthread_attr_init(&attr);
    if (detach)
        pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
    for (int i = 0; i < n; i += 2) {
        pthread_t t[2];
        for (int k = 0; k < 2; k++)
            if (pthread_create(&t[k], &attr, work, NULL) != 0)
                return 1;
        if (detach) {
            /* let both finish before making more: two alive at a time */
            for (;;) {
                long done;
                pthread_mutex_lock(&m);
                done = counter;
                pthread_mutex_unlock(&m);
                if (done >= 2L * (i + 2))
                    break;
                usleep(50);
            }
        } else {
            for (int k = 0; k < 2; k++)
                pthread_join(t[k], NULL);
        }
        if (i + 2 == n / 10)
            first = rss_kib();
    }
    usleep(10000);
    printf("rss %ld %ld\n", first, rss_kib());
    return 0;
}
