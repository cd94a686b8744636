/* mem_loop: memory-heavy loop. Two threads sweep arrays of their own
 * (2 x 16 MiB) and add to a shared counter under a mutex every 4096
 * elements. Almost every instrumented access is to private memory. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>

#define N (4u << 20)       /* ints per thread: 16 MiB */
#define PASSES 8

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static long counter;

static void *work(void *arg)
{
    unsigned *a = arg;
    for (int p = 0; p < PASSES; p++) {
        for (unsigned i = 0; i < N; i++) {
            a[i] = a[i] * 3u + i;
            if ((i & 4095) == 0) {
                pthread_mutex_lock(&lock);
                counter++;
                pthread_mutex_unlock(&lock);
            }
        }
    }
    return NULL;
}

int main(void)
{
    pthread_t t[2];
    unsigned *a[2];
    unsigned long sum = 0;
    for (int i = 0; i < 2; i++) {
        a[i] = calloc(N, sizeof *a[i]);
        pthread_create(&t[i], NULL, work, a[i]);
    }
    for (int i = 0; i < 2; i++) {
        pthread_join(t[i], NULL);
        for (unsigned k = 0; k < N; k += 1024)
            sum += a[i][k];
        free(a[i]);
    }
    printf("counter %ld sum %lu\n", counter, sum);
    return 0;
}
